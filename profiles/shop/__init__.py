"""The shop: carts, checkout (payment simulated) and orders."""
