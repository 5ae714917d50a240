// Wander (window.arweaveWallet), the browser wallet: it signs data items; keys stay in it.

const PERMISSIONS = ["ACCESS_ADDRESS", "SIGN_TRANSACTION"];

export function wanderAvailable() {
  return typeof window.arweaveWallet === "object" && window.arweaveWallet !== null;
}

/** Ask Wander for access; resolves with the active address. */
export async function connectWander() {
  await window.arweaveWallet.connect(PERMISSIONS, { name: "TIM3" });
  return window.arweaveWallet.getActiveAddress();
}

/** Have Wander sign exactly `message` ({target, tags: [[name, value]], data}); raw bytes. */
export async function signWithWander(message) {
  const signed = await window.arweaveWallet.signDataItem({
    data: message.data,
    tags: message.tags.map(([name, value]) => ({ name, value })),
    target: message.target,
  });
  return new Uint8Array(signed);
}
