# Render Markdown bodies with Jekyll's own kramdown converter (the parity oracle).
# stdin: JSON list of strings; stdout: JSON list of HTML strings, same order.
require "json"
require "jekyll"

site = Jekyll::Site.new(Jekyll.configuration("quiet" => true))
converter = site.find_converter_instance(Jekyll::Converters::Markdown)
bodies = JSON.parse($stdin.read)
$stdout.write(JSON.generate(bodies.map { |b| converter.convert(b) }))
