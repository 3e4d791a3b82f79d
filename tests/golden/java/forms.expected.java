package com.example.forms;

import java.util.List;
import java.util.function.Function;

// Every function form: what carries a span and what is left alone.
public abstract class Forms<T extends Comparable<T>> {
  private final T first;
  private static final Function<String, Integer> LENGTH = s -> { telinject.Telinject.Span _telinject_span1 = telinject.Telinject.span("com.example.forms.Forms.<clinit>$lambda$9", "forms.java", 9); try {
    return s.length();
  } catch (Throwable _telinject_error) { _telinject_span1.error(_telinject_error); throw _telinject_error; } finally { _telinject_span1.end(); } };
  private final Runnable hook = () -> { telinject.Telinject.Span _telinject_span1 = telinject.Telinject.span("com.example.forms.Forms.<init>$lambda$12", "forms.java", 12); try {
    System.out.println("hook");
  } catch (Throwable _telinject_error) { _telinject_span1.error(_telinject_error); throw _telinject_error; } finally { _telinject_span1.end(); } };

  static {
    System.out.println("static initialiser: left alone");
  }

  {
    System.out.println("instance initialiser: left alone");
  }

  protected Forms(T first) {
    super();
    telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.<init>", "forms.java", 24); try { this.first = first;
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  protected Forms() {
    this(null);
  }

  public abstract T pick(List<T> items);

  public native int address();

  public synchronized <R> R apply(Function<T, R> f) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.apply", "forms.java", 37); try {
    return f.apply(first);
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  public T max(T other) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.max", "forms.java", 41); try { return first.compareTo(other) >= 0 ? first : other; } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  void empty() {}

  Runnable nested() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.nested", "forms.java", 45); try {
    return () -> { telinject.Telinject.Span _telinject_span1 = telinject.Telinject.span("com.example.forms.Forms.nested$lambda$46", "forms.java", 46); try {
      Function<Integer, Integer> twice = x -> x * 2;
      Runnable deeper = () -> { telinject.Telinject.Span _telinject_span2 = telinject.Telinject.span("com.example.forms.Forms.nested$lambda$46$lambda$48", "forms.java", 48); try {
        System.out.println(twice.apply(1));
      } catch (Throwable _telinject_error) { _telinject_span2.error(_telinject_error); throw _telinject_error; } finally { _telinject_span2.end(); } };
      deeper.run();
    } catch (Throwable _telinject_error) { _telinject_span1.error(_telinject_error); throw _telinject_error; } finally { _telinject_span1.end(); } };
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  Object anonymous() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.anonymous", "forms.java", 55); try {
    return new Object() {
      @Override
      public String toString() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$1.toString", "forms.java", 58); try {
        return "anonymous";
      } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
    };
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  void local() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms.local", "forms.java", 64); try {
    class Helper {
      int help() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$1Helper.help", "forms.java", 66); try {
        return 1;
      } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
    }
    new Helper().help();
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  interface Shape {
    double area();

    default String describe() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Shape.describe", "forms.java", 76); try {
      return "area " + area();
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

    static Shape unit() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Shape.unit", "forms.java", 80); try {
      return () -> 1.0;
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
  }

  record Point(int x, int y) {
    Point { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Point.<init>", "forms.java", 86); try {
      if (x < 0) throw new IllegalArgumentException("x");
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

    Point(int both) {
      this(both, both);
    }

    int sum() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Point.sum", "forms.java", 94); try {
      return x + y;
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
  }

  enum Op {
    PLUS {
      int apply(int a, int b) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Op$1.apply", "forms.java", 101); try {
        return a + b;
      } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
    },
    MINUS;

    Op() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Op.<init>", "forms.java", 107); try {
      System.out.println("constant");
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

    int apply(int a, int b) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("com.example.forms.Forms$Op.apply", "forms.java", 111); try {
      return a - b;
    } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
  }

  @interface Marker {
    String value() default "";
  }
}
