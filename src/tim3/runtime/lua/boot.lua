--- The boot handler: run on the process's own first message; On-Boot = "Data" runs the Data.
-- @module boot

return function(ao)
  return function(msg)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    local onBoot = msg.Tags["On-Boot"]
    if onBoot == nil then return end
    if onBoot ~= "Data" then
      error("On-Boot = " .. onBoot .. " needs WeaveDrive, which this runtime does not provide; use On-Boot = Data", 0)
    end
    local source = msg.Data
    if type(source) ~= "string" then error("On-Boot = Data needs Lua source text in Data", 0) end
    local fn, err = load(source, "On-Boot", "t", _G)
    if not fn then error(err, 0) end
    fn()
  end
end
