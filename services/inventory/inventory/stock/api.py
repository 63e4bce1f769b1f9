"""HTTP entry points of stock: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from operator import itemgetter

from flask_smorest import Blueprint

from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, listed, reading
from inventory.stock import schemas, service

blp = Blueprint("stock", __name__, url_prefix="/api/v1", description="Stock and its ledger")


@blp.route("/warehouses", methods=["POST"])
@blp.arguments(schemas.WarehouseIn())
@blp.response(201, schemas.WarehouseOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def create_warehouse(data):
    return create_once(data, service.create_warehouse, service.get_warehouse, itemgetter("code"))


@blp.route("/warehouses", methods=["GET"])
@blp.response(200, schemas.WarehouseList)
def list_warehouses():
    with reading() as uow:
        return {"items": service.list_warehouses(uow)}


@blp.route("/receipts", methods=["POST"])
@blp.arguments(schemas.ReceiptIn())
@blp.response(201, schemas.ReceiptOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def receive_stock(data):
    return create_once(data, service.receive_stock, service.get_receipt, itemgetter("id"))


@blp.route("/adjustments", methods=["POST"])
@blp.arguments(schemas.AdjustmentIn())
@blp.response(201, schemas.AdjustmentOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def adjust_stock(data):
    return create_once(data, service.adjust_stock, service.get_adjustment, itemgetter("id"))


@blp.route("/transfers", methods=["POST"])
@blp.arguments(schemas.TransferIn())
@blp.response(201, schemas.TransferOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def transfer_stock(data):
    return create_once(data, service.transfer_stock, service.get_transfer, itemgetter("id"))


@blp.route("/stock", methods=["GET"])
@blp.arguments(schemas.StockQuery(), location="query")
@blp.response(200, schemas.StockLevelPage)
def stock_list(query):
    with reading() as uow:
        return listed(
            query,
            lambda offset, limit: service.stock_list(uow, query, offset, limit),
        )


@blp.route("/stock/<sku>", methods=["GET"])
@blp.response(200, schemas.StockOut)
def get_stock(sku):
    with reading() as uow:
        return service.stock_of(uow, sku)


@blp.route("/movements", methods=["GET"])
@blp.arguments(schemas.MovementQuery(), location="query")
@blp.response(200, schemas.MovementPage)
def movements(query):
    with reading() as uow:
        return listed(query, lambda offset, limit: service.movements(uow, query, offset, limit))
