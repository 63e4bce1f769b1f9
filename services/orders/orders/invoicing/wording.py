"""What an invoice's printed labels say, in the language its buyer reads (the CRM's choice for
the customer, kept on the invoice at issue); English where none was chosen."""

from __future__ import annotations

WORDS = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "from": "From",
        "bill_to": "Bill to",
        "tax_id": "Tax id: {tax_id}",
        "customer": "Customer {customer_id}",
        "issued": "Issued",
        "order": "Order",
        "payment_due": "Payment due",
        "net_days": "{date} (net {days} days)",
        "credits_invoice": "Credits invoice",
        "product": "Product",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "tax_rate": "Tax %",
        "tax": "Tax",
        "amount": "Amount",
        "taxable_at": "Taxable at {rate}%: {taxable}, tax",
        "subtotal": "Subtotal",
        "total": "Total",
    },
    "zh_CN": {
        "invoice": "发票",
        "credit_note": "红字发票",
        "from": "销售方",
        "bill_to": "购买方",
        "tax_id": "税号：{tax_id}",
        "customer": "客户 {customer_id}",
        "issued": "开票日期",
        "order": "订单",
        "payment_due": "付款到期日",
        "net_days": "{date}（{days} 天账期）",
        "credits_invoice": "冲红发票",
        "product": "产品",
        "quantity": "数量",
        "unit_price": "单价",
        "tax_rate": "税率 %",
        "tax": "税额",
        "amount": "金额",
        "taxable_at": "税率 {rate}% 的计税金额 {taxable}，税额",
        "subtotal": "小计",
        "total": "合计",
    },
}


def words_for(language: str | None) -> dict[str, str]:
    return WORDS.get(language or "en", WORDS["en"])
