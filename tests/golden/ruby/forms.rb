# frozen_string_literal: true

require "set"

# Top-level helper.
def helper(x)
  x * 2
end

module Shop
  VERSION = "1.0"

  class Cart < Base
    attr_reader :items

    def initialize(items = [])
      super()
      @items = items
    end

    def add(item) # adds one
      @items << item
      self
    end

    def self.build(*items, **options, &block)
      new(items)
    end

    def total = @items.sum(&:price)

    def empty?() = @items.empty?

    def each
      return enum_for(:each) unless block_given?

      @items.each { |item| yield item }
    end

    def safe_divide(a, b)
      a / b
    rescue ZeroDivisionError => e
      warn e.message
      nil
    else
      :ok
    ensure
      @done = true
    end

    def one_liner; @items.size; end

    def no_body; end

    def empty
    end

    def method_missing(name, *args, &block)
      return super unless name.to_s.start_with?("find_")

      @items.find { |item| item.name == name.to_s.delete_prefix("find_") }
    end

    def respond_to_missing?(name, include_private = false) = name.to_s.start_with?("find_") || super

    class << self
      def from_json(text)
        new(text.split(","))
      end

      private

      def parse(line) line.strip end
    end

    private def secret
      :hidden
    end

    define_method(:dynamic) { :left_alone }

    def ==(other)
      other.is_a?(Cart) && other.items == items
    end

    def []=(index, value)
      @items[index] = value
    end
  end

  module Pricing
    def self.discount(price, percent:)
      price * (100 - percent) / 100
    end

    def round(value)
      value.round(2)
    end

    class Rule
      def apply(price)
        outer = price
        def inner_helper
          :nested
        end
        outer
      end
    end
  end
end

class Shop::Cart::Item
  def name
    @name
  end
end

module ::Global
  def self.where = __FILE__
end

config = Object.new
def config.setting
  :value
end

def forwarding(...)
  target(...)
end
