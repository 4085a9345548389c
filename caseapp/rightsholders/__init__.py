"""Our clients (rights holders), their works, and later contracts and ownership evidence."""
