--- The default handler: keep an unhandled message in the Inbox and say so, §1.9.5.
-- @module default

local function short(id)
  id = tostring(id or "")
  if #id <= 6 then return id end
  return id:sub(1, 3) .. "..." .. id:sub(-3)
end

return function(insertInbox)
  return function(msg)
    insertInbox(msg)
    local c = Colors
    if msg.Action then
      print("New Message From " .. c.green .. short(msg.From) .. c.reset .. ": " ..
        c.red .. "Action = " .. c.blue .. tostring(msg.Action):sub(1, 20) .. c.reset)
    else
      print("New Message From " .. c.green .. short(msg.From) .. c.reset .. ": " ..
        c.red .. "Data = " .. c.blue .. tostring(msg.Data):sub(1, 20) .. c.reset)
    end
  end
end
