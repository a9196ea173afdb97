-- wrk script: POST /v1/resolve, cycling through the request bodies in the
-- file named by $PROBEHUB_WRK_BODIES (one JSON object per line).
local bodies = {}
for line in io.lines(os.getenv("PROBEHUB_WRK_BODIES")) do
  bodies[#bodies + 1] = line
end
local i = 0
local headers = { ["Content-Type"] = "application/json" }

request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/resolve", headers, bodies[i])
end

response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
