require_relative "telinject"; module Crlf
  def self.run(x); Telinject.span("Crlf.run", "crlf.rb", 2) do
    x + 1
  end end
end
