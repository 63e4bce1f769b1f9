"""HTTP entry points of the catalogue: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from operator import attrgetter

from flask_smorest import Blueprint

from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, listed, reading, unit_of_work
from inventory.catalogue import schemas, service

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1", description="Products")


@blp.route("/products", methods=["POST"])
@blp.arguments(schemas.ProductIn())
@blp.response(201, schemas.ProductOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def create_product(data):
    return create_once(data, service.create_product, service.get_product, attrgetter("sku"))


@blp.route("/products", methods=["GET"])
@blp.arguments(schemas.ProductQuery(), location="query")
@blp.response(200, schemas.ProductPage)
def list_products(query):
    with reading() as uow:
        return listed(query, lambda offset, limit: service.list_products(uow, query, offset, limit))


@blp.route("/products/<sku>", methods=["GET"])
@blp.response(200, schemas.ProductOut)
def get_product(sku):
    with reading() as uow:
        return service.get_product(uow, sku)


@blp.route("/products/<sku>", methods=["PATCH"])
@blp.arguments(schemas.ProductPatch())
@blp.response(200, schemas.ProductOut)
def update_product(changes, sku):
    with unit_of_work() as uow:
        return service.update_product(uow, sku, changes)
