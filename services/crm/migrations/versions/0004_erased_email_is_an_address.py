"""an erased customer's placeholder e-mail is a well-formed address (erased.invalid)

The old placeholder (`erased-<id>@invalid`) was answered as the customer's e-mail, yet the
API refused it as input: a client could not send back what it had read.

Revision ID: 0004
Revises: 0003
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE customers SET email = REPLACE(email, '@invalid', '@erased.invalid') "
        "WHERE email LIKE 'erased-%@invalid'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE customers SET email = REPLACE(email, '@erased.invalid', '@invalid') "
        "WHERE email LIKE 'erased-%@erased.invalid'"
    )
