"""Ruby end to end with the real interpreter: a small gem with every method form is instrumented,
its minitest suite run under `ruby -w` with TELINJECT_OUT (names, nesting, lines, errors in the
records; warnings unchanged), then `remove` gives the bytes back. The real-project proof: the rss
gem that Debian's ruby package ships with its own test suite (lib + test), instrumented and run
green. Skipped with a clear message without `ruby` (scripts/setup.sh installs it)."""
import glob
import os
import shutil
import subprocess
import unittest

from support import digest_tree, read_records, read_spans, run_cli, temp_dir

RUBY = shutil.which("ruby")
RSS = sorted(glob.glob("/usr/lib/ruby/gems/*/gems/rss-*"))

SHOP = '''# frozen_string_literal: true

module Shop
  class Base
    def label(prefix, suffix = "!") = "#{prefix}base#{suffix}"
  end

  class Cart < Base
    attr_reader :items

    def initialize(items = [])
      super()
      @items = items
    end

    def add(item) # one item
      @items << item
      self
    end

    def self.build(*items)
      new(items)
    end

    class << self
      def empty_one = new
    end

    def total = @items.sum

    def each
      return enum_for(:each) unless block_given?

      @items.each { |item| yield item }
    end

    def first_big(limit)
      @items.each { |item| return item if item > limit }
      nil
    end

    def label(prefix, suffix = "?")
      [1].map { super }.first + __method__.to_s
    end

    def peek(local)
      binding.local_variable_get(:local)
    end

    def divide(by)
      @items.sum / by
    rescue ZeroDivisionError
      :infinite
    else
      :finite
    ensure
      @divided = true
    end

    def retrying
      @tries = (@tries || 0) + 1
      raise "again" if @tries < 3

      @tries
    rescue RuntimeError
      retry
    end

    def fail!
      raise ArgumentError, "bad cart"
    end

    def empty; end

    def forward(...) = add(...)

    def each_item(&) = @items.each(&)

    def method_missing(name, *args)
      return super unless name == :count_items

      @items.size
    end

    def respond_to_missing?(name, include_private = false) = name == :count_items || super
  end

  module Pricing
    def self.discount(price, percent:)
      price * (100 - percent) / 100
    end
  end
end

class Shop::Cart::Item
  def name
    "item"
  end
end
'''

# The line of `raise` in fail!: backtraces keep pointing at it once instrumented.
FAIL_LINE = SHOP[:SHOP.index('raise ArgumentError')].count("\n") + 1

TESTS = '''# frozen_string_literal: true

FAIL_LINE = %d
require "minitest/autorun"
require "shop"

class ShopTest < Minitest::Test
  def test_forms
    cart = Shop::Cart.build(1, 5, 9)
    assert_equal [1, 5, 9], cart.items
    assert_equal 15, cart.total
    assert_equal [1, 5, 9], cart.each.to_a
    seen = []
    cart.each { |item| seen << item }
    assert_equal [1, 5, 9], seen
    assert_equal 5, cart.first_big(3)
    assert_nil cart.first_big(30)
    assert_equal "xbase?label", cart.label("x")
    assert_equal 42, cart.peek(42)
    assert_equal :finite, cart.divide(3)
    assert_equal :finite, Shop::Cart.empty_one.divide(0) == :infinite ? :finite : :wrong
    assert_equal 3, cart.retrying
    error = assert_raises(ArgumentError) { cart.fail! }
    assert_equal "bad cart", error.message
    assert_match(/shop.rb:#{FAIL_LINE}:/, error.backtrace.first)
    assert_nil cart.empty
    cart.forward(2)
    doubled = []
    cart.each_item { |item| doubled << item * 2 }
    assert_equal [2, 10, 18, 4], doubled
    assert_equal 4, cart.count_items
    assert cart.respond_to?(:count_items)
    assert_raises(NoMethodError) { cart.other_thing }
    assert_equal 90, Shop::Pricing.discount(100, percent: 10)
    assert_equal "item", Shop::Cart::Item.new.name
  end
end
''' % FAIL_LINE


def run_ruby(args, cwd, env=None):
    full_env = dict(os.environ)
    full_env.pop("TELINJECT_OUT", None)
    full_env.update(env or {})
    return subprocess.run([RUBY, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=600)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


@unittest.skipUnless(RUBY, "skipped: ruby not installed (apt-get install ruby)")
class RubyForms(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        write(os.path.join(self.root, "Gemfile"), 'source "https://rubygems.org"\n')
        write(os.path.join(self.root, "lib", "shop.rb"), SHOP)
        write(os.path.join(self.root, "test", "test_shop.rb"), TESTS)

    def run_tests(self, out=None):
        env = {"TELINJECT_OUT": out, "TELINJECT_RATE_LIMIT": "off"} if out else {}
        return run_ruby(["-w", "-Ilib", "test/test_shop.rb"], self.root, env)

    def test_instrumented_suite_records_and_remove(self):
        before = self.run_tests()
        self.assertEqual(before.returncode, 0, before.stdout + before.stderr)
        original = digest_tree(self.root)
        # Started on one file of a subfolder: the helper still goes to the gem's lib/.
        run_cli("instrument", "--cache-dir", os.path.join(self.root, ".c"),
                os.path.join(self.root, "lib", "shop.rb"), check=0)
        self.assertTrue(os.path.isfile(os.path.join(self.root, "lib", "telinject.rb")))
        with open(os.path.join(self.root, "lib", "shop.rb"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertEqual(text.count("\n"), SHOP.count("\n"))
        self.assertIn('def empty; end', text)

        # Telemetry off: same result, same warnings.
        off = self.run_tests()
        self.assertEqual(off.returncode, 0, off.stdout + off.stderr)
        self.assertEqual(off.stderr, before.stderr)
        parse = run_ruby(["-wc", "lib/shop.rb"], self.root)
        self.assertEqual(parse.stdout.strip(), "Syntax OK")
        self.assertEqual(parse.stderr, "")

        out = os.path.join(self.root, "spans.jsonl")
        on = self.run_tests(out)
        self.assertEqual(on.returncode, 0, on.stdout + on.stderr)
        records = read_records(out)
        self.assertEqual(records[0]["resource"]["telemetry.sdk.language"], "ruby")
        spans = read_spans(out)
        by_name = {}
        for span in spans:
            by_name.setdefault(span["name"], []).append(span)
        for name, written in [("Shop::Cart.build", "def self.build"),
                              ("Shop::Cart#initialize", "def initialize"),
                              ("Shop::Cart#add", "def add"), ("Shop::Cart.empty_one", "def empty_one"),
                              ("Shop::Cart#total", "def total"), ("Shop::Cart#each", "def each"),
                              ("Shop::Base#label", 'suffix = "!"'),
                              ("Shop::Cart#label", 'suffix = "?"'),
                              ("Shop::Cart#peek", "def peek"),
                              ("Shop::Cart#divide", "def divide"),
                              ("Shop::Cart#retrying", "def retrying"),
                              ("Shop::Cart#forward", "def forward"),
                              ("Shop::Cart#each_item", "def each_item"),
                              ("Shop::Cart#method_missing", "def method_missing"),
                              ("Shop::Cart#respond_to_missing?", "def respond_to_missing?"),
                              ("Shop::Pricing.discount", "def self.discount"),
                              ("Shop::Cart::Item#name", "def name")]:
            line = SHOP[:SHOP.index(written)].count("\n") + 1
            self.assertIn(name, by_name)
            self.assertEqual(by_name[name][0]["code.line.number"], line, name)
            self.assertEqual(by_name[name][0]["code.file.path"], "lib/shop.rb")
        self.assertNotIn("Shop::Cart#empty", by_name)
        # Nesting: build -> new -> initialize.
        build = by_name["Shop::Cart.build"][0]
        init = [s for s in by_name["Shop::Cart#initialize"] if s["parent_span_id"] == build["span_id"]]
        self.assertEqual(len(init), 1)
        self.assertEqual(init[0]["trace_id"], build["trace_id"])
        label = by_name["Shop::Cart#label"][0]
        self.assertEqual(by_name["Shop::Base#label"][0]["parent_span_id"], label["span_id"])
        # Errors: status and exception, the method's own rescue keeps its span ok.
        failed = by_name["Shop::Cart#fail!"][0]
        self.assertEqual(failed["status"], "error")
        self.assertEqual(failed["exception.type"], "ArgumentError")
        self.assertEqual(failed["exception.message"], "bad cart")
        self.assertTrue(all(s["status"] == "ok" for s in by_name["Shop::Cart#divide"]))
        self.assertEqual(len(by_name["Shop::Cart#retrying"]), 1)

        # A second run changes nothing; remove gives back every byte and deletes the helper.
        second = run_cli("instrument", "--cache-dir", os.path.join(self.root, ".c"),
                         os.path.join(self.root, "lib"), check=0)
        self.assertIn("0 changed", second.stdout + second.stderr)
        os.remove(out)
        run_cli("remove", os.path.join(self.root, "lib"), check=0)
        shutil.rmtree(os.path.join(self.root, ".c"))
        self.assertEqual(digest_tree(self.root), original)


VOLUME = '''# frozen_string_literal: true

class Worker
  def outer(n)
    inner(n) + 1
  end

  def inner(n)
    n * 2
  end
end

srand(42)
expected = rand(1000)
srand(42)
w = Worker.new
threads = 2.times.map { |i| Thread.new { 3.times { w.outer(i) } } }
threads.each(&:join)
pid = fork { w.outer(9) }
Process.wait(pid)
raise "srand sequence changed" unless rand(1000) == expected
'''


@unittest.skipUnless(RUBY, "skipped: ruby not installed (apt-get install ruby)")
class RubyVolume(unittest.TestCase):
    """Threads nest apart, a forked child writes its own records, srand's sequence is the
    program's; sampling and the rate limit drop calls and say so in dropped lines."""

    def setUp(self):
        self.root = temp_dir(self)
        write(os.path.join(self.root, "worker.rb"), VOLUME)
        run_cli("instrument", "--cache-dir", os.path.join(self.root, ".c"),
                os.path.join(self.root, "worker.rb"), check=0)
        self.out = os.path.join(self.root, "out.jsonl")

    def run_worker(self, **env):
        result = run_ruby(["-w", "worker.rb"], self.root, dict(env, TELINJECT_OUT=self.out))
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_threads_fork_and_ids(self):
        self.run_worker()
        spans = read_spans(self.out)
        self.assertEqual(len(spans), 14)  # 2 threads x 3 calls x 2 methods, and the child's 2
        by_id = {s["span_id"]: s for s in spans}
        for span in spans:
            if span["name"] == "Worker#inner":
                parent = by_id[span["parent_span_id"]]
                self.assertEqual(parent["name"], "Worker#outer")
                self.assertEqual(parent["thread.id"], span["thread.id"])
                self.assertEqual(parent["trace_id"], span["trace_id"])
            else:
                self.assertIsNone(span["parent_span_id"])
        self.assertEqual(len({s["process.pid"] for s in spans}), 2)
        resources = [r for r in read_records(self.out) if "resource" in r]
        self.assertEqual(len(resources), 2)

    def test_sampling_and_rate_limit(self):
        self.run_worker(TELINJECT_SAMPLE="0")
        records = read_records(self.out)
        self.assertEqual([r for r in records if "span_id" in r], [])
        dropped = sum(r["dropped"] for r in records if r.get("reason") == "sampling")
        self.assertEqual(dropped, 14)
        os.remove(self.out)
        result = self.run_worker(TELINJECT_RATE_LIMIT="1,0")
        records = read_records(self.out)
        # The first call of each method is recorded (a forked child inherits the counts).
        self.assertEqual(len([r for r in records if "span_id" in r]), 2)
        self.assertIn("not recorded", result.stderr)
        self.assertTrue(any(r.get("reason") == "rate_limit" for r in records))


@unittest.skipUnless(RUBY and RSS, "skipped: ruby not installed (the rss gem ships with it)")
class RubyRealProject(unittest.TestCase):
    """The rss gem (lib + test, from Debian's libruby package): its own test-unit suite, run as
    its Rakefile runs it (`ruby test/run-test.rb`, $VERBOSE on), green instrumented."""

    def test_rss_suite_green_instrumented(self):
        root = os.path.join(temp_dir(self), "rss")
        shutil.copytree(RSS[-1], root)
        original = digest_tree(root)
        lib_files = sorted(glob.glob(os.path.join(root, "lib", "**", "*.rb"), recursive=True))
        before = {f: run_ruby(["-wc", f], root) for f in lib_files}
        result = run_cli("instrument", "--cache-dir", os.path.join(root, ".c"),
                         os.path.join(root, "lib"), check=0)
        self.assertIn("0 errors", result.stdout + result.stderr)
        for f in lib_files:
            after = run_ruby(["-wc", f], root)
            self.assertEqual(after.returncode, 0, f)
            self.assertEqual(after.stderr, before[f].stderr, f)
        out = os.path.join(root, "spans.jsonl")
        tests = run_ruby(["test/run-test.rb"], root, {"TELINJECT_OUT": out})
        self.assertEqual(tests.returncode, 0, tests.stdout[-3000:] + tests.stderr[-3000:])
        self.assertIn("0 failures, 0 errors", tests.stdout)
        spans = read_spans(out)
        self.assertGreater(len(spans), 1000)
        names = {s["name"] for s in spans}
        self.assertIn("RSS::Parser.parse", names)
        os.remove(out)
        run_cli("remove", os.path.join(root, "lib"), check=0)
        shutil.rmtree(os.path.join(root, ".c"))
        self.assertEqual(digest_tree(root), original)


if __name__ == "__main__":
    unittest.main()
