"""Request and response bodies of the stock API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from erp_shared.schemas import SKU, DecimalString, Figure, Money, PageQuery, page_of
from inventory.stock.domain import DEFAULT_WAREHOUSE, MOVEMENT_KINDS

WAREHOUSE_CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9_\-]{0,31}$")


class ReceiptLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(
        strict=True, required=True, validate=validate.Range(min=1, max=1_000_000_000)
    )
    unit_cost = Money(required=True)
    lot = fields.Str(validate=validate.Length(min=1, max=64))


class ReceiptIn(Schema):
    warehouse = fields.Str(load_default=DEFAULT_WAREHOUSE, validate=validate.Length(min=1, max=32))
    # Backdated receipts slot into FIFO order by this date.
    received_at = fields.AwareDateTime()
    reason = fields.Str(validate=validate.Length(min=1, max=200))
    lines = fields.List(
        fields.Nested(ReceiptLineIn), required=True, validate=validate.Length(min=1, max=500)
    )


class ReceiptOut(Schema):
    id = fields.Str()
    warehouse = fields.Str()
    received_at = fields.AwareDateTime()
    lines = fields.List(fields.Nested(ReceiptLineIn))


class WarehouseStock(Schema):
    warehouse = fields.Str()
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()


class LotOut(Schema):
    lot = fields.Str()
    warehouse = fields.Str()
    received_at = fields.AwareDateTime()
    quantity = fields.Int()
    unit_cost = Money()


class StockOut(Schema):
    sku = fields.Str()
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()
    warehouses = fields.List(fields.Nested(WarehouseStock))
    lots = fields.List(fields.Nested(LotOut))


class WarehouseIn(Schema):
    code = fields.Str(required=True, validate=WAREHOUSE_CODE)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class WarehouseOut(Schema):
    code = fields.Str()
    name = fields.Str()
    created_at = fields.AwareDateTime()


class WarehouseList(Schema):
    items = fields.List(fields.Nested(WarehouseOut))


class AdjustmentIn(Schema):
    """The change (`quantity_delta`), or what the shelf holds as counted (`counted`): one."""

    warehouse = fields.Str(load_default=DEFAULT_WAREHOUSE, validate=validate.Length(min=1, max=32))
    sku = SKU()
    quantity_delta = fields.Int(
        strict=True, validate=validate.Range(min=-1_000_000_000, max=1_000_000_000)
    )
    counted = fields.Int(
        strict=True,
        validate=validate.Range(min=0, max=1_000_000_000),
        metadata={"description": "What was counted on the shelf; the books take the difference."},
    )
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    # The cost of counted surplus; the newest lot's cost when left out.
    unit_cost = Money()

    @validates_schema
    def one_way_of_counting(self, data, **_kwargs):
        if ("quantity_delta" in data) == ("counted" in data):
            raise ValidationError("Give quantity_delta or counted, one of them.", "quantity_delta")


class AdjustmentOut(Schema):
    id = fields.Str()
    sku = fields.Str()
    warehouse = fields.Str()
    quantity_delta = fields.Int()
    value = DecimalString()
    reason = fields.Str()
    at = fields.AwareDateTime()
    level = fields.Nested(lambda: StockLevelOut())


class TransferIn(Schema):
    sku = SKU()
    from_warehouse = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    to_warehouse = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    quantity = fields.Int(
        strict=True, required=True, validate=validate.Range(min=1, max=1_000_000_000)
    )
    reason = fields.Str(validate=validate.Length(min=1, max=200))


class TransferOut(Schema):
    id = fields.Str()
    sku = fields.Str()
    from_warehouse = fields.Str()
    to_warehouse = fields.Str()
    quantity = fields.Int()
    value = Figure()
    reason = fields.Str(allow_none=True)
    at = fields.AwareDateTime()


class StockQuery(PageQuery):
    q = fields.Str(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Part of the SKU or of the product's name, in any case."},
    )
    warehouse = fields.Str(validate=validate.Length(min=1, max=32))
    below_reorder = fields.Bool(load_default=False)


class StockLevelOut(Schema):
    sku = fields.Str()
    name = fields.Str(metadata={"description": "The product's name."})
    warehouse = fields.Str()
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()


class MovementQuery(PageQuery):
    sku = fields.Str(validate=validate.Length(min=1, max=64))
    warehouse = fields.Str(validate=validate.Length(min=1, max=32))
    kind = fields.Str(validate=validate.OneOf(MOVEMENT_KINDS))
    order_id = fields.Str(validate=validate.Length(min=1, max=36))


class MovementOut(Schema):
    id = fields.Int()
    sku = fields.Str()
    warehouse = fields.Str()
    kind = fields.Str()
    quantity = fields.Int()
    unit_cost = Money(allow_none=True)
    value = DecimalString(allow_none=True)
    reference = fields.Str(allow_none=True)
    order_id = fields.Str(allow_none=True)
    return_id = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)
    actor = fields.Str(allow_none=True)
    request_id = fields.Str(allow_none=True)
    occurred_at = fields.AwareDateTime()


StockLevelPage = page_of(StockLevelOut)
MovementPage = page_of(MovementOut)
