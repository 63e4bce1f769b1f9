"""HTTP entry points of stock: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from operator import itemgetter

from flask_smorest import Blueprint

from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, reading
from inventory.stock import schemas, service

blp = Blueprint("stock", __name__, url_prefix="/api/v1", description="Stock and receipts")


@blp.route("/receipts", methods=["POST"])
@blp.arguments(schemas.ReceiptIn)
@blp.response(201, schemas.ReceiptOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def receive_stock(data):
    return create_once(data, service.receive_stock, service.get_receipt, itemgetter("id"))


@blp.route("/stock/<sku>", methods=["GET"])
@blp.response(200, schemas.StockOut)
def get_stock(sku):
    with reading() as uow:
        return service.stock_of(uow, sku)
