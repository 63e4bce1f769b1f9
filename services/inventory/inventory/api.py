"""HTTP entry points of inventory: parse, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import current_engine
from inventory import schemas, service

blp = Blueprint("inventory", __name__, url_prefix="/api/v1", description="Products and stock")


@blp.route("/products", methods=["POST"])
@blp.arguments(schemas.ProductIn)
@blp.response(201, schemas.ProductOut)
def create_product(data):
    return service.create_product(current_engine(), data)


@blp.route("/products/<sku>", methods=["GET"])
@blp.response(200, schemas.ProductOut)
def get_product(sku):
    return service.get_product(current_engine(), sku)


@blp.route("/receipts", methods=["POST"])
@blp.arguments(schemas.ReceiptIn)
@blp.response(201, schemas.ReceiptOut)
def receive_stock(data):
    return service.receive_stock(current_engine(), data)


@blp.route("/stock/<sku>", methods=["GET"])
@blp.response(200, schemas.StockOut)
def get_stock(sku):
    return service.stock_of(current_engine(), sku)
