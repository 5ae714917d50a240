// Token amounts: human text ("5.25") <-> base units (BigInt). Never a Number for money.

/** Why `text` cannot be (the start of) an amount with `decimals` places, or "" if it can. */
export function amountProblem(text, decimals, ticker = "this token") {
  if (text === "") return "";
  if (!/^[0-9.]*$/.test(text)) return "Type digits and at most one '.'.";
  if ((text.match(/\./g) || []).length > 1) return "Type digits and at most one '.'.";
  if (text.startsWith(".")) return "Start with a digit, like 0.5.";
  const [whole, frac = ""] = text.split(".");
  if (whole.length > 1 && whole.startsWith("0")) return "Remove the leading zero.";
  if (frac.length > decimals) return `${ticker} has at most ${decimals} decimals.`;
  if (whole.length + decimals > 60) return "That amount is too large.";
  return "";
}

/** Base units of a complete amount ("5", "5.", "5.25"); null when it is not one. */
export function parseAmount(text, decimals) {
  if (text === "" || amountProblem(text, decimals) !== "") return null;
  const [whole, frac = ""] = text.split(".");
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

/** "5250000000000" (or 5250000000000n) with 12 decimals -> "5.25". */
export function formatAmount(baseUnits, decimals) {
  const value = BigInt(baseUnits);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return sign + whole.toString() + (frac ? "." + frac : "");
}

/** The canonical form to send: "5." -> "5". */
export function normalise(text) {
  return text.endsWith(".") ? text.slice(0, -1) : text;
}
