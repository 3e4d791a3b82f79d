"""Stock keeping."""
from dataclasses import dataclass, field


class OutOfStock(Exception):
    """Raised when an order asks for more than the shelf holds."""


@dataclass
class Inventory:
    items: dict = field(default_factory=dict)

    def add(self, name, count):
        self.items[name] = self.items.get(name, 0) + count

    def take(self, name, count):
        have = self.items.get(name, 0)
        if have < count:
            raise OutOfStock(f"{name}: wanted {count}, have {have}")
        self.items[name] = have - count
        return count

    def low_stock(self, threshold):
        for name, count in sorted(self.items.items()):
            if count < threshold:
                yield name
