# frozen_string_literal: true

# Cost of the Ruby runtime helper per call: a plain method against the same method wrapped as
# telinject wraps it, each configuration in a fresh interpreter, both measured in the same run
# (best of many short loops). Prints ns per call and the ratio to the plain call.
#   ruby bench/runtime_ruby.rb [REPEAT]
#   off        TELINJECT_OUT unset
#   recording  TELINJECT_OUT set, default limits (a hot method is soon rate-limited)
#   every call TELINJECT_OUT set, TELINJECT_RATE_LIMIT=off (every call recorded and written)
require "rbconfig"
require "tmpdir"

HELPER = File.expand_path("../runtime/ruby/telinject.rb", __dir__)
repeat = Integer(ARGV[0] || 200)

program = <<~RUBY
  require #{HELPER.dump}
  class Plain
    def work(x)
      x + 1
    end
  end
  class Wrapped
    def work(x); Telinject.span("Wrapped#work", "bench.rb", 7) do
      x + 1
    end end
  end
  def best(object, repeat)
    best = Float::INFINITY
    repeat.times do
      t = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
      i = 0
      while i < 2000
        object.work(i)
        i += 1
      end
      Telinject.flush if Telinject.respond_to?(:flush)
      best = [best, (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - t) / 2000.0].min
    end
    best
  end
  plain = best(Plain.new, #{repeat})
  wrapped = best(Wrapped.new, #{repeat})
  puts format("%.1f %.1f", plain, wrapped)
RUBY

Dir.mktmpdir do |dir|
  script = File.join(dir, "bench.rb")
  File.write(script, program)
  out = File.join(dir, "spans.jsonl")
  { "off" => {}, "recording" => { "TELINJECT_OUT" => out },
    "every call" => { "TELINJECT_OUT" => out, "TELINJECT_RATE_LIMIT" => "off",
                      "TELINJECT_MAX_BYTES" => "off" } }.each do |label, env|
    plain, wrapped = IO.popen(env, [RbConfig.ruby, script], &:read).split.map(&:to_f)
    File.delete(out) if File.exist?(out)
    puts format("%-11s plain %6.1f ns  instrumented %7.1f ns  ratio %5.2f  (+%.1f ns)", label, plain,
                wrapped, wrapped / plain, wrapped - plain)
  end
end
