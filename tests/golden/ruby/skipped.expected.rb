# Forms left alone on purpose, and opt-out comments.
require_relative "telinject"; class Widget
  def empty; end

  def blank
  end

  # Ruby 3.2+ syntax; Ruby 3.3.0 rejects anonymous * and ** used inside a block.
  def delegate(*, **)
    target(*, **)
  end

  def opted_out # telinject: ignore
    :kept
  end

  # telinject: ignore
  def also_opted_out
    def inner_of_opted_out
      :kept_too
    end
  end

  def block_arg(&); Telinject.span("Widget#block_arg", "skipped.rb", 24) do
    [1].each(&)
  end end

  attr_accessor :size
  define_method(:dynamic) { |x| x }
  handler = lambda { |x| x }
  helper = proc do |x|
    x
  end
end
