#!/usr/bin/env ruby
# frozen_string_literal: true
# This file has a shebang and a magic comment: the require goes on the first statement's line.

require_relative "telinject"; def main(argv); Telinject.span("Object#main", "shebang.rb", 5) do
  puts argv.join(" ")
  0
end end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
