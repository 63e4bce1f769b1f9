"""The orders service's settings: the common ones (erp_shared.config.Settings) plus what
selling needs, read from ORDERS_* variables. Only this service reads them, so they live
here rather than in the shared kernel."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from erp_shared.config import Settings, app_port, env, pairs, typed
from orders.pricing import TaxRates

# Who invoices name as the seller, unless ORDERS_SELLER_NAME/_ADDRESS/_TAX_ID say otherwise
# (no tax id line is printed until one is set).
DEFAULT_SELLER = {
    "name": "ERP Trading Company",
    "address": "1 Market Street, Springfield",
    "tax_id": "",
}


@dataclass(frozen=True)
class OrdersSettings(Settings):
    # The tax rate of a product category (ORDERS_TAX_RATES="books=0.05,food=0.07"), else
    # ORDERS_TAX_RATE; the seller an invoice names; days after shipment a return is taken.
    tax_rate: Decimal = Decimal("0")
    tax_rates: dict[str, Decimal] = field(default_factory=dict)
    seller: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SELLER))
    return_days: int = 30
    # Net payment terms: an invoice is due this many days after it is issued.
    payment_days: int = 30
    # Where the CRM and inventory answer (CRM_URL, INVENTORY_URL, as the gateway reads them):
    # an order naming a customer or product not copied here yet asks its owner.
    owner_urls: dict[str, str] = field(default_factory=dict)

    @property
    def taxes(self) -> TaxRates:
        """The rates an order's lines are taxed at, as selling, importing and returns use them."""
        return TaxRates(self.tax_rate, self.tax_rates)


def _rates(name: str) -> dict[str, Decimal]:
    """`category=rate` pairs separated by commas."""
    rates = {}
    for category, rate, pair in pairs(name):
        try:
            rates[category] = Decimal(rate)
        except InvalidOperation:
            raise RuntimeError(f"{name}: {pair!r} is not category=rate") from None
    return rates


# What the tests build directly, without reading the environment (erp_testing.settings_for).
SETTINGS_CLASS = OrdersSettings


def settings_from_env(**overrides) -> OrdersSettings:
    return OrdersSettings.from_env(
        "orders",
        **{
            "tax_rate": typed("ORDERS_TAX_RATE", Decimal("0"), Decimal),
            "tax_rates": _rates("ORDERS_TAX_RATES"),
            "seller": {
                name: env(f"ORDERS_SELLER_{name.upper()}", default)
                for name, default in DEFAULT_SELLER.items()
            },
            "return_days": typed("ORDERS_RETURN_DAYS", 30, int),
            "payment_days": typed("ORDERS_PAYMENT_DAYS", 30, int),
            "owner_urls": {
                owner: env(f"{owner.upper()}_URL", f"http://127.0.0.1:{app_port(owner)}")
                for owner in ("crm", "inventory")
            },
            **overrides,
        },
    )
