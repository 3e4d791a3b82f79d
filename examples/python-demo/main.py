"""Runs a few orders through the shop."""
import asyncio

from shop.inventory import Inventory, OutOfStock
from shop.pricing import quote_all


def fulfil(inventory, order):
    for name, count in order.items():
        inventory.take(name, count)


def main():
    inventory = Inventory()
    for name in ("apple", "pear", "fig"):
        inventory.add(name, 5)
    orders = [{"apple": 2, "pear": 1}, {"fig": 3}, {"fig": 4}]
    for order in orders:
        try:
            fulfil(inventory, order)
        except OutOfStock as error:
            print("refused:", error)
    print("quotes:", asyncio.run(quote_all(orders)))
    print("low stock:", list(inventory.low_stock(3)))


if __name__ == "__main__":
    main()
