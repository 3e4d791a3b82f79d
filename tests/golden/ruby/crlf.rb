module Crlf
  def self.run(x)
    x + 1
  end
end
