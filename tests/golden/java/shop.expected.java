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
    telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.Shop.<init>", "shop.java", 12); try { System.out.println("default shop");
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  public Shop(int limit) throws IOException { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.Shop.<init>", "shop.java", 17); try {
    if (limit < 0) throw new IOException("negative");
    this.items = new ArrayList<>();
    this.limit = limit;
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  class Cart {
    int add(String item) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.Shop$Cart.add", "shop.java", 24); try {
      items.add(item);
      if (items.size() > limit) throw new IllegalStateException("full: " + item);
      return items.size();
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
  }

  static int kind(int k) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.Shop.kind", "shop.java", 31); try {
    return switch (k) {
      case 1 -> 10;
      default -> {
        int z = k * 2;
        yield z;
      }
    };
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  public static void main(String[] args) throws Exception { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.Shop.main", "shop.java", 41); try {
    Shop shop = new Shop();
    Cart cart = shop.new Cart();
    Supplier<Integer> s = () -> { telinject.Telinject.Span _telinject_span1 = telinject.Telinject.span("com.example.Shop.main$lambda$44", "shop.java", 44); try {
      return cart.add("a");
    } catch (Throwable _telinject_error) { _telinject_span1.error(_telinject_error); throw _telinject_error; } finally { _telinject_span1.end(); } };
    s.get();
    try {
      cart.add("b");
      cart.add("c");
    } catch (IllegalStateException e) {
      System.out.println("caught " + e.getMessage());
    }
    System.out.println(kind(1) + kind(3));
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
}
