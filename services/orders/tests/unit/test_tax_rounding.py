"""For any cart, tax is the sum of each line's tax rounded half-even to cents, and subtotal +
tax = total exactly."""

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.pricing import TaxRates
from orders.replicas.domain import CataloguePrice
from orders.sales.domain import Order, price_lines

CATEGORIES = ("books", "food", "tools")
RATES = TaxRates(Decimal("0.2"), {"books": Decimal("0.05"), "food": Decimal("0.07")})
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
carts = st.lists(
    st.tuples(st.sampled_from(CATEGORIES), prices, st.integers(1, 500)), min_size=1, max_size=12
)


@given(carts)
def test_totals_equal_the_sum_of_rounded_lines(cart):
    catalogue = {
        f"SKU-{n}": CataloguePrice(f"SKU-{n}", price, "EUR", category)
        for n, (category, price, _) in enumerate(cart)
    }
    requested = [{"sku": f"SKU-{n}", "quantity": q} for n, (_, _, q) in enumerate(cart)]
    lines, _ = price_lines(requested, catalogue, RATES)
    order = Order(
        id="o",
        number="n",
        customer_id="c",
        channel="web",
        lines=lines,
        currency="EUR",
        placed_by="p",
        created_at=None,
    )
    expected_tax = sum(
        (
            (price * q * RATES.rate_for(category)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
            for category, price, q in cart
        ),
        Decimal(0),
    )
    assert order.subtotal == sum((price * q for _, price, q in cart), Decimal(0))
    assert order.tax == expected_tax
    assert order.total == order.subtotal + order.tax
    assert order.total.as_tuple().exponent == -2
