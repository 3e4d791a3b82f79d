#!/usr/bin/env ruby
# frozen_string_literal: true
# This file has a shebang and a magic comment: the require goes on the first statement's line.

def main(argv)
  puts argv.join(" ")
  0
end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
