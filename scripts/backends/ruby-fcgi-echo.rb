# Echo handler on Ruby's fcgi library (Debian ruby-fcgi): prints every param
# and the body (and, where the library hands it over, a Filter's FCGI_DATA)
# in the reference responder's line format (docs/responder.md). It serves
# the listening socket it gets as fd 0 (spawn-fcgi).
require "fcgi"

def esc(s)
  s.b.bytes.map { |c| c < 0x21 || c > 0x7e || c == 0x25 || c == 0x3d ? format("%%%02X", c) : c.chr }.join
end

FCGI.each do |req|
  body = req.in.read.to_s.b
  out = ["Content-Type: text/plain\r\n\r\nrole RUBY-FCGI\n".b]
  req.env.sort.each { |k, v| out << "param #{esc(k)}=#{esc(v.to_s)}\n".b }
  out << "stdin #{body.bytesize}\n".b << body << "\n".b
  # The pure-Ruby implementation reads FCGI_DATA; the libfcgi extension has
  # no accessor for it.
  if req.respond_to?(:data)
    data = req.data.read.to_s.b
    out << "data #{data.bytesize}\n".b << data << "\n".b if data.bytesize > 0
  end
  out << "end\n".b
  req.out.print(out.join)
  req.finish
end
