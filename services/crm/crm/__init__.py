"""CRM: customers, their contacts and addresses, interactions, campaigns and tickets."""
