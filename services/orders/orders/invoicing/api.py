"""HTTP entry points of invoicing: invoices and credit notes as JSON or PDF, and payments."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from erp_shared.web import listed, only_own, own_only, reading, settings, unit_of_work
from orders.invoicing import schemas, service

blp = Blueprint("invoicing", __name__, url_prefix="/api/v1", description="Invoices")
PDF = "application/pdf"


@blp.route("/invoices", methods=["GET"])
@blp.arguments(schemas.InvoiceQuery(), location="query")
@blp.response(200, schemas.InvoicePage)
def list_invoices(query):
    with reading() as uow:
        mine = own_only(query)
        return listed(query, lambda offset, limit: service.list_invoices(uow, mine, offset, limit))


@blp.route("/invoices/<invoice_id>", methods=["GET"])
@blp.response(200, schemas.InvoiceOut)
@blp.alt_response(200, success=True, content_type=PDF, description="The invoice as a PDF")
def get_invoice(invoice_id):
    with reading() as uow:
        invoice = service.get_invoice(uow, invoice_id)
        only_own(invoice.customer_id, f"No invoice {invoice_id}.")
        if request.accept_mimetypes.best_match(["application/json", PDF]) != PDF:
            return invoice
        body = service.invoice_pdf(uow, invoice_id, settings().seller)
    disposition = f'inline; filename="{invoice.number}.pdf"'
    return Response(body, mimetype=PDF, headers={"Content-Disposition": disposition})


@blp.route("/invoices/<invoice_id>/pay", methods=["POST"])
@blp.response(200, schemas.InvoiceOut)
def pay_invoice(invoice_id):
    with unit_of_work() as uow:
        return service.pay_invoice(uow, invoice_id)
