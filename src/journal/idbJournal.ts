import { promisifyRequest } from 'idb-keyval'
import type { Journal } from './journal.js'
import { deadKey, eventKey, isJournalRecord, isNewerRecord, lapsed, sealRecord, type DeadLetter, type JournalRecord } from './journalRecord.js'

/**
 * The IndexedDB journal: database `name` (object store `journal`) opened with `factory` (default:
 * the page's `indexedDB`; a Storage Access handle's in a cross-site iframe), one key per event
 * (`e:<id>`) and per dead letter (`d:<id>`), so moving an event between the two is a single
 * transaction. Each call opens its own transaction on one connection, opened lazily as
 * idb-keyval's `createStore` does (which always uses the global `indexedDB`). Records of a newer
 * format version are left for the newer code that wrote them.
 */
export function createIdbJournal(name: string, factory?: IDBFactory): Journal {
  let connection: Promise<IDBDatabase> | undefined
  let db: IDBDatabase | undefined
  let closed = false
  const close = () => {
    closed = true
    db?.close()
  }
  const store = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => T | PromiseLike<T>): Promise<T> => {
    if (!connection) {
      // Read here, not earlier: the global `indexedDB` itself may throw (blocked storage).
      const request = (factory || indexedDB).open(name)
      request.onupgradeneeded = () => request.result.createObjectStore('journal')
      connection = promisifyRequest(request)
      // Another tab deleting or upgrading the database waits until every connection has closed:
      // close ours then. A connection that failed or closed (Safari sometimes closes one) fails
      // its calls, and the event journal replaces this journal with a fresh one (`attempt`).
      // An open that succeeds after this journal was given up (its deadline passed) is closed at
      // once, so no call queued on it writes behind the calls of the journal that replaced it.
      connection.then((opened) => {
        db = opened
        db.onversionchange = close
        if (closed) close()
      }, () => {})
    }
    return connection.then((opened) => fn(opened.transaction('journal', mode).objectStore('journal')))
  }
  const write = (fn: (s: IDBObjectStore) => void) =>
    store('readwrite', (s) => {
      fn(s)
      return promisifyRequest(s.transaction)
    })
  const readAll = () =>
    store('readonly', async (s) => {
      const [keys, values] = await Promise.all([promisifyRequest(s.getAllKeys()), promisifyRequest(s.getAll())])
      return keys.map((key, i) => [String(key), values[i]] as const)
    })

  return {
    close,
    put: (records) => write((s) => records.forEach((r) => s.put(r, eventKey(r.id)))),
    remove: (ids) => write((s) => ids.forEach((id) => s.delete(eventKey(id)))),
    removeKeys: (keys) => write((s) => keys.forEach((key) => s.delete(key))),
    async read() {
      const contents = { records: [] as JournalRecord[], corrupt: [] as Array<{ key: string; value: unknown }> }
      for (const [key, value] of await readAll()) {
        if (!key.startsWith('e:')) continue
        if (isJournalRecord(value) && key === eventKey(value.id)) contents.records.push(value)
        else if (!isNewerRecord(value)) contents.corrupt.push({ key, value })
      }
      return contents
    },
    bury: (letters) =>
      write((s) =>
        letters.forEach((letter) => {
          s.put(letter, deadKey(letter.id))
          s.delete(eventKey(letter.id))
        }),
      ),
    async deadLetters() {
      return (await readAll()).filter(([key]) => key.startsWith('d:')).map(([, value]) => value as DeadLetter)
    },
    forget: (ids) => write((s) => ids.forEach((id) => s.delete(deadKey(id)))),
    seal: (id) =>
      store('readwrite', (s) => {
        let sealed = false
        // Read and write in one transaction, from the request callback (as idb-keyval's
        // `update` does) so no engine can auto-commit between the two. The promise is checked
        // here, not from an earlier read: the live page may have renewed it since.
        s.get(eventKey(id)).onsuccess = function (this: IDBRequest<JournalRecord | undefined>) {
          const record = this.result
          if (!record?.open || !lapsed(record.open, Date.now())) return
          sealRecord(record)
          s.put(record, eventKey(id))
          sealed = true
        }
        return promisifyRequest(s.transaction).then(() => sealed)
      }),
  }
}
