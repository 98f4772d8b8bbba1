// Small fetch helpers shared by the pages: JSON in, JSON out, errors as Error with the server's message and
// status. `token`: the admin token, sent as a bearer token (the review routes need it).
export async function call(method, path, body, token) {
  const headers = body === undefined ? {} : { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json();
  if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { status: response.status });
  return data;
}

// <option>s for a label picker: "not a digit" (-1) and 0-9, with `selected` chosen.
export function labelOptions(selected) {
  const choices = [[-1, "not a digit"], ...Array.from({ length: 10 }, (_, d) => [d, String(d)])];
  return choices.map(([value, text]) => `<option value="${value}"${value === selected ? " selected" : ""}>${text}</option>`).join("");
}
