# frozen_string_literal: true

# telinject runtime helper for Ruby (written by telinject; `telinject remove` deletes it when
# unmodified and unused). Instrumented methods wrap their body in Telinject.span. With
# TELINJECT_OUT unset, span only yields. docs/ruby.md, docs/telemetry.md "Records".
module Telinject
  OUT = ENV["TELINJECT_OUT"].to_s

  if OUT.empty?
    def self.span(_name, _file, _line)
      yield
    end
  else
    @mutex = Mutex.new
    @lines = []
    @bytes = 0
    @pid = nil
    @rng = Random.new
    @dropped = Hash.new { |h, reason| h[reason] = Hash.new(0) }
    @prefixes = {}
    @calls = Hash.new(0)
    @window = Hash.new { |h, k| h[k] = [0, 0] }
    @written = 0

    def self.warn_bad(variable)
      $stderr.write("telinject: ignoring bad #{variable}=#{ENV[variable]}\n")
    end

    sample = ENV["TELINJECT_SAMPLE"]
    @sample = 1.0
    if sample && !sample.empty?
      value = Float(sample, exception: false)
      if value && value >= 0 && value <= 1 then @sample = value else warn_bad("TELINJECT_SAMPLE") end
    end
    limit = ENV["TELINJECT_RATE_LIMIT"]
    @first, @per_second = 1000, 10
    if limit == "off"
      @first = nil
    elsif limit && !limit.empty?
      first, per_second = limit.split(",", 2).map { |part| Integer(part, exception: false) }
      if first && per_second && first >= 0 && per_second >= 0
        @first, @per_second = first, per_second
      else
        warn_bad("TELINJECT_RATE_LIMIT")
      end
    end
    cap = ENV["TELINJECT_MAX_BYTES"]
    @max_bytes = 100_000_000
    if cap == "off" || cap == "0"
      @max_bytes = nil
    elsif cap && !cap.empty?
      match = /\A(\d+)([kMG]?)\z/.match(cap)
      if match
        @max_bytes = Integer(match[1]) * { "" => 1, "k" => 1000, "M" => 1_000_000, "G" => 1_000_000_000 }[match[2]]
      else
        warn_bad("TELINJECT_MAX_BYTES")
      end
    end
    @capped = false
    @remote = nil
    parent = /\A00-(\h{32})-(\h{16})-(\h{2})\z/.match(ENV["TRACEPARENT"].to_s)
    @remote = [parent[1].downcase, parent[2].downcase, parent[3].to_i(16).odd?] if parent

    ESCAPES = { "\"" => "\\\"", "\\" => "\\\\", "\n" => "\\n", "\r" => "\\r", "\t" => "\\t" }.freeze

    def self.json(value)
      text = value.to_s.dup.force_encoding(Encoding::UTF_8)
      text = text.scrub("?") unless text.valid_encoding?
      "\"" + text.gsub(/["\\\x00-\x1f]/) { |c| ESCAPES[c] || format("\\u%04x", c.ord) } + "\""
    end

    # Whether a call of `name` is recorded under the rate limit (first N, then R per second).
    def self.admit(name)
      return true unless @first
      calls = @calls[name] += 1
      return true if calls <= @first
      second = Process.clock_gettime(Process::CLOCK_MONOTONIC, :second)
      window = @window[name]
      if window[0] != second
        window[0] = second
        window[1] = 0
      end
      return false if window[1] >= @per_second
      window[1] += 1
      true
    end

    def self.resource
      attributes = { "service.name" => ENV["OTEL_SERVICE_NAME"].to_s.empty? ? "unknown_service:ruby" : ENV["OTEL_SERVICE_NAME"],
                     "telemetry.sdk.name" => "telinject", "telemetry.sdk.language" => "ruby",
                     "process.pid" => Process.pid, "process.runtime.version" => RUBY_VERSION }
      ENV["OTEL_RESOURCE_ATTRIBUTES"].to_s.split(",").each do |pair|
        key, value = pair.split("=", 2)
        next unless key && value && !key.strip.empty?
        attributes[key.strip] = value.strip.gsub(/%\h\h/) { |hex| hex[1, 2].to_i(16).chr }
      end
      "{\"resource\":{" + attributes.map { |k, v| "#{json(k)}:#{v.is_a?(Integer) ? v : json(v)}" }.join(",") + "}}\n"
    end

    def self.push(line)
      @mutex.synchronize do
        if @pid != Process.pid
          @pid = Process.pid
          @lines << resource
        end
        @lines << line
        flush_locked if @lines.size >= 1024
      end
    end

    def self.flush_locked
      return if @lines.empty?
      text = @lines.join
      @lines.clear
      File.open(OUT, "a") { |file| file.write(text) }
    rescue SystemCallError, IOError => e
      $stderr.write("telinject: cannot write #{OUT}: #{e.message}\n")
    end

    def self.flush
      @mutex.synchronize { flush_locked }
    end

    def self.drop(name, reason)
      @dropped[reason][name] += 1
    end

    def self.finish
      @mutex.synchronize do
        by = Hash.new(0)
        @dropped.each do |reason, counts|
          counts.each do |name, count|
            @lines << "{\"dropped\":#{count},\"name\":#{json(name)},\"reason\":\"#{reason}\",\"process.pid\":#{Process.pid}}\n"
            by[reason] += count
          end
        end
        flush_locked
        unless by.empty?
          $stderr.write("telinject: #{@written} spans written to #{OUT}, #{by.values.sum} not recorded " \
                        "(rate limit #{by["rate_limit"]}, sampling #{by["sampling"]}, size cap #{by["size_cap"]}); " \
                        "TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call\n")
        end
        @dropped.clear
      end
    end

    # After fork, the child starts with an empty buffer and counters of its own.
    def self.after_fork
      @mutex = Mutex.new
      @lines = []
      @dropped = Hash.new { |h, reason| h[reason] = Hash.new(0) }
      @written = 0
      @rng = Random.new
    end

    def self.new_id(bytes)
      @rng.bytes(bytes).unpack1("H*")
    end

    # Head sampling from the trace id's last 16 hex digits (ParentBased(TraceIdRatioBased)).
    def self.sampled?(trace_id)
      return true if @sample >= 1
      trace_id[16, 16].to_i(16) < (@sample * (2**64)).to_i
    end

    def self.span(name, file, line)
      stack = (Thread.current[:__telinject_stack] ||= [])
      parent = stack.last
      if parent
        unless parent[2]
          drop(name, "sampling")
          return yield
        end
      elsif @remote
        parent = @remote
        unless parent[2]
          drop(name, "sampling")
          return yield
        end
      else
        unless admit(name)
          drop(name, "rate_limit")
          return yield
        end
        admitted = true
        trace_id = new_id(16)
        unless sampled?(trace_id)
          stack.push([trace_id, nil, false])
          begin
            drop(name, "sampling")
            return yield
          ensure
            stack.pop
          end
        end
      end
      unless admitted || admit(name)
        drop(name, "rate_limit")
        return yield
      end
      trace_id ||= parent[0]
      span_id = new_id(8)
      stack.push([trace_id, span_id, true])
      start = Process.clock_gettime(Process::CLOCK_REALTIME, :nanosecond)
      clock = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
      error = nil
      begin
        yield
      rescue Exception => e # rubocop:disable Lint/RescueException
        error = e
        raise
      ensure
        stack.pop
        duration = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - clock
        prefix = (@prefixes[name] ||= "{\"name\":#{json(name)},\"code.function.name\":#{json(name)}," \
                                      "\"code.file.path\":#{json(file)},\"code.line.number\":#{line},")
        record = +"#{prefix}\"trace_id\":\"#{trace_id}\",\"span_id\":\"#{span_id}\"," \
                  "\"parent_span_id\":#{parent ? "\"#{parent[1]}\"" : "null"},\"start_time_unix_nano\":#{start}," \
                  "\"duration_ns\":#{duration},\"status\":\"#{error ? "error" : "ok"}\","
        record << "\"exception.type\":#{json(error.class.name)},\"exception.message\":#{json(error.message)}," if error
        record << "\"thread.id\":#{Thread.current.object_id},\"process.pid\":#{Process.pid}}\n"
        if @max_bytes && (@capped || (@written_bytes ||= (File.size?(OUT) || 0)) + record.bytesize > @max_bytes)
          unless @capped
            @capped = true
            $stderr.write("telinject: #{OUT} reached TELINJECT_MAX_BYTES; no more spans are written\n")
          end
          drop(name, "size_cap")
        else
          @written_bytes += record.bytesize if @max_bytes
          @written += 1
          push(record)
        end
      end
    end

    if Process.respond_to?(:_fork)
      # Ruby >= 3.1: flush before fork; the child starts empty.
      module ForkHook
        def _fork
          Telinject.flush
          pid = super
          Telinject.after_fork if pid.zero?
          pid
        end
      end
      Process.singleton_class.prepend(ForkHook)
    end

    # at_exit handlers run last-registered first, so a test runner's own (minitest/autorun,
    # registered before this file is loaded) runs after ours: flush there, and finish (dropped
    # lines, summary) from a finalizer, which Ruby runs after every at_exit handler.
    at_exit { flush }
    FINISH = Object.new
    ObjectSpace.define_finalizer(FINISH, proc { finish })
  end
end
