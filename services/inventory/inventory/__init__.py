"""Inventory: products, stock per warehouse, FIFO lots and reservations."""
