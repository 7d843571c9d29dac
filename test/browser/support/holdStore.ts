// Another tab's long readwrite transaction on a tracker's journal store (issue 19.3).

/** Holds a readwrite transaction on `name`'s journal store, as another tab can, until released. */
export async function holdStore(name: string): Promise<() => Promise<void>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name)
    request.onupgradeneeded = () => request.result.createObjectStore('journal')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const transaction = db.transaction('journal', 'readwrite')
  const store = transaction.objectStore('journal')
  let holding = true
  // A transaction stays active while it has requests: chaining one per success keeps it alive.
  const loop = () => {
    if (holding) store.get('hold').onsuccess = loop
  }
  loop()
  const done = new Promise((resolve) => (transaction.oncomplete = resolve))
  return async () => {
    holding = false
    await done
    db.close()
  }
}
