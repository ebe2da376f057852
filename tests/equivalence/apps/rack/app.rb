# The test API as a Rack app with rack-cors, configured by `python -m addon export rack`.
# Usage: ruby app.rb PORT EXPORTED_FILE (Debian's ruby, ruby-rack, ruby-rack-cors, ruby-webrick)
require "json"
require "rack"
require "rack/handler/webrick"

port, exported = ARGV
load exported

# The same bodies as tests/upstream.py, so they compare equal across fronts.
def json_response(status, body, headers = {})
  [status, { "Content-Type" => "application/json" }.merge(headers), [body]]
end

api = lambda do |env|
  path = env["PATH_INFO"]
  query = Rack::Utils.parse_query(env["QUERY_STRING"])
  if (m = path.match(%r{/status/(\d{3})\z}))
    json_response(m[1].to_i, %({"status": #{m[1]}}))
  elsif path.end_with?("/redirect")
    [302, { "Location" => query["to"] || "/" }, [""]]
  elsif path.end_with?("/custom")
    json_response(200, '{"custom": true}', { "X-Custom" => "1", "X-Total" => "7", "Set-Cookie" => "s=1; Path=/" })
  elsif env["REQUEST_METHOD"] == "OPTIONS"
    json_response(405, '{"error": "method not allowed"}', { "Allow" => "GET, POST" })
  else
    json_response(200, JSON.generate({ method: env["REQUEST_METHOD"], path: path }))
  end
end

app = Rack::Builder.new do
  use Rack::Cors, &CORS_RULES
  run api
end
Rack::Handler::WEBrick.run(app, Host: "127.0.0.1", Port: port.to_i, Logger: WEBrick::Log.new(nil, 0), AccessLog: [])
