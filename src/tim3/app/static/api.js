// The gateway's JSON API. Every failure becomes an Error carrying the server's plain words.

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const words = body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
    throw new Error(words);
  }
  return body;
}

export async function get(path, params) {
  const query = params ? "?" + new URLSearchParams(params).toString() : "";
  return answer(await fetch(path + query, { headers: { Accept: "application/json" } }));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  }));
}

/** Send a data item the browser's wallet signed (raw ANS-104 bytes). */
export async function submitSigned(bytes) {
  return answer(await fetch("/api/submit", {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream", Accept: "application/json" },
    body: bytes,
  }));
}

/**
 * Follow a message's causal chain as the server reads it: onArrow({arrow, lanes}) for each
 * message, then resolves with the whole flow.
 */
export function followFlow(id, onArrow) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/flow/${encodeURIComponent(id)}/events`);
    source.addEventListener("arrow", (e) => onArrow(JSON.parse(e.data)));
    source.addEventListener("done", (e) => {
      source.close();
      resolve(JSON.parse(e.data));
    });
    source.addEventListener("error", () => {
      source.close();
      // The stream broke: read the flow once instead.
      get(`/api/flow/${encodeURIComponent(id)}`).then(resolve, reject);
    });
  });
}
