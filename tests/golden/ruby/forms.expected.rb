# frozen_string_literal: true

require_relative "telinject"; require "set"

# Top-level helper.
def helper(x); Telinject.span("Object#helper", "forms.rb", 6) do
  x * 2
end end

module Shop
  VERSION = "1.0"

  class Cart < Base
    attr_reader :items

    def initialize(items = []); Telinject.span("Shop::Cart#initialize", "forms.rb", 16) do
      super()
      @items = items
    end end

    def add(item); Telinject.span("Shop::Cart#add", "forms.rb", 21) do # adds one
      @items << item
      self
    end end

    def self.build(*items, **options, &block); Telinject.span("Shop::Cart.build", "forms.rb", 26) do
      new(items)
    end end

    def total = Telinject.span("Shop::Cart#total", "forms.rb", 30) { @items.sum(&:price) }

    def empty?() = Telinject.span("Shop::Cart#empty?", "forms.rb", 32) { @items.empty? }

    def each; Telinject.span("Shop::Cart#each", "forms.rb", 34) do
      return enum_for(:each) unless block_given?

      @items.each { |item| yield item }
    end end

    def safe_divide(a, b); Telinject.span("Shop::Cart#safe_divide", "forms.rb", 40) do
      a / b
    rescue ZeroDivisionError => e
      warn e.message
      nil
    else
      :ok
    ensure
      @done = true
    end end

    def one_liner; Telinject.span("Shop::Cart#one_liner", "forms.rb", 51) do; @items.size; end end

    def no_body; end

    def empty
    end

    def method_missing(name, *args, &block); Telinject.span("Shop::Cart#method_missing", "forms.rb", 58) do
      return super unless name.to_s.start_with?("find_")

      @items.find { |item| item.name == name.to_s.delete_prefix("find_") }
    end end

    def respond_to_missing?(name, include_private = false) = Telinject.span("Shop::Cart#respond_to_missing?", "forms.rb", 64) { name.to_s.start_with?("find_") || super }

    class << self
      def from_json(text); Telinject.span("Shop::Cart.from_json", "forms.rb", 67) do
        new(text.split(","))
      end end

      private

      def parse(line); Telinject.span("Shop::Cart.parse", "forms.rb", 73) do line.strip end end
    end

    private def secret; Telinject.span("Shop::Cart#secret", "forms.rb", 76) do
      :hidden
    end end

    define_method(:dynamic) { :left_alone }

    def ==(other); Telinject.span("Shop::Cart#==", "forms.rb", 82) do
      other.is_a?(Cart) && other.items == items
    end end

    def []=(index, value); Telinject.span("Shop::Cart#[]=", "forms.rb", 86) do
      @items[index] = value
    end end
  end

  module Pricing
    def self.discount(price, percent:); Telinject.span("Shop::Pricing.discount", "forms.rb", 92) do
      price * (100 - percent) / 100
    end end

    def round(value); Telinject.span("Shop::Pricing#round", "forms.rb", 96) do
      value.round(2)
    end end

    class Rule
      def apply(price); Telinject.span("Shop::Pricing::Rule#apply", "forms.rb", 101) do
        outer = price
        def inner_helper; Telinject.span("Shop::Pricing::Rule#inner_helper", "forms.rb", 103) do
          :nested
        end end
        outer
      end end
    end
  end
end

class Shop::Cart::Item
  def name; Telinject.span("Shop::Cart::Item#name", "forms.rb", 113) do
    @name
  end end
end

module ::Global
  def self.where = Telinject.span("Global.where", "forms.rb", 119) { __FILE__ }
end

config = Object.new
def config.setting; Telinject.span("config.setting", "forms.rb", 123) do
  :value
end end

def forwarding(...); Telinject.span("Object#forwarding", "forms.rb", 127) do
  target(...)
end end
