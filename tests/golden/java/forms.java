package com.example.forms;

import java.util.List;
import java.util.function.Function;

// Every function form: what carries a span and what is left alone.
public abstract class Forms<T extends Comparable<T>> {
  private final T first;
  private static final Function<String, Integer> LENGTH = s -> {
    return s.length();
  };
  private final Runnable hook = () -> {
    System.out.println("hook");
  };

  static {
    System.out.println("static initialiser: left alone");
  }

  {
    System.out.println("instance initialiser: left alone");
  }

  protected Forms(T first) {
    super();
    this.first = first;
  }

  protected Forms() {
    this(null);
  }

  public abstract T pick(List<T> items);

  public native int address();

  public synchronized <R> R apply(Function<T, R> f) {
    return f.apply(first);
  }

  public T max(T other) { return first.compareTo(other) >= 0 ? first : other; }

  void empty() {}

  Runnable nested() {
    return () -> {
      Function<Integer, Integer> twice = x -> x * 2;
      Runnable deeper = () -> {
        System.out.println(twice.apply(1));
      };
      deeper.run();
    };
  }

  Object anonymous() {
    return new Object() {
      @Override
      public String toString() {
        return "anonymous";
      }
    };
  }

  void local() {
    class Helper {
      int help() {
        return 1;
      }
    }
    new Helper().help();
  }

  interface Shape {
    double area();

    default String describe() {
      return "area " + area();
    }

    static Shape unit() {
      return () -> 1.0;
    }
  }

  record Point(int x, int y) {
    Point {
      if (x < 0) throw new IllegalArgumentException("x");
    }

    Point(int both) {
      this(both, both);
    }

    int sum() {
      return x + y;
    }
  }

  enum Op {
    PLUS {
      int apply(int a, int b) {
        return a + b;
      }
    },
    MINUS;

    Op() {
      System.out.println("constant");
    }

    int apply(int a, int b) {
      return a - b;
    }
  }

  @interface Marker {
    String value() default "";
  }
}
