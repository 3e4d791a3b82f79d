"""Prices and totals."""
import asyncio

PRICES = {"apple": 0.5, "pear": 0.75, "fig": 2.0}


def price_of(name):
    return PRICES[name]


def total(order):
    def line(name, count): return price_of(name) * count
    return sum(line(name, count) for name, count in order.items())


async def quote(order):
    await asyncio.sleep(0)
    return round(total(order), 2)


async def quote_all(orders):
    return await asyncio.gather(*(quote(order) for order in orders))
