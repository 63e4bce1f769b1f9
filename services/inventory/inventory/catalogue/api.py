"""HTTP entry points of the catalogue: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import IDEMPOTENCY_KEY_DOC, created_once, reading, unit_of_work
from inventory.catalogue import schemas, service

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1", description="Products")


@blp.route("/products", methods=["POST"])
@blp.arguments(schemas.ProductIn)
@blp.response(201, schemas.ProductOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def create_product(data):
    with unit_of_work() as uow:
        product, headers = created_once(
            uow,
            data,
            lambda: service.create_product(uow, data),
            lambda sku: service.get_product(uow, sku),
            id_of=lambda product: product.sku,
        )
    return product, 201, headers


@blp.route("/products/<sku>", methods=["GET"])
@blp.response(200, schemas.ProductOut)
def get_product(sku):
    with reading() as uow:
        return service.get_product(uow, sku)
