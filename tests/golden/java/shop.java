package com.example;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

public class Shop {
  private final List<String> items;
  private final int limit;

  public Shop() throws IOException {
    this(2);
    System.out.println("default shop");
  }

  public Shop(int limit) throws IOException {
    if (limit < 0) throw new IOException("negative");
    this.items = new ArrayList<>();
    this.limit = limit;
  }

  class Cart {
    int add(String item) {
      items.add(item);
      if (items.size() > limit) throw new IllegalStateException("full: " + item);
      return items.size();
    }
  }

  static int kind(int k) {
    return switch (k) {
      case 1 -> 10;
      default -> {
        int z = k * 2;
        yield z;
      }
    };
  }

  public static void main(String[] args) throws Exception {
    Shop shop = new Shop();
    Cart cart = shop.new Cart();
    Supplier<Integer> s = () -> {
      return cart.add("a");
    };
    s.get();
    try {
      cart.add("b");
      cart.add("c");
    } catch (IllegalStateException e) {
      System.out.println("caught " + e.getMessage());
    }
    System.out.println(kind(1) + kind(3));
  }
}
