// The person's labelled drawings, kept in this browser's IndexedDB until they
// are downloaded as a samples file. No DOM here.
//
// A sample is {label, strokes: [{points: [[x, y], ...], width}], created}: the
// strokes in pad pixels and `created` in seconds since the epoch, as
// mnist_keras.personal keeps them, so the file imports with
// `mnist-keras data import` or the dashboard's Your handwriting panel.

// The samples file as mnist_keras.personal reads it (SAMPLES_FORMAT, version 1,
// DEFAULT_NAME); the page's browser test imports a downloaded file with the
// library, so a change on either side fails there.
export const SAMPLES_FILE = {
  format: "mnist-keras-samples", version: 1, name: "my-handwriting",
  fileName: "mnist-keras-samples.json",
};

// One database per origin: every exported page served from the same place
// collects into the same samples, whichever model it runs.
const DATABASE = "mnist-keras";
const STORE = "samples";
const SCHEMA = 1;

// IndexedDB speaks in events; these turn a request or a transaction into a promise.
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () =>
      reject(transaction.error || new Error("the browser refused to store the sample"));
  });
}

export class SampleStore {
  constructor(database) {
    this.database = database;
  }

  // Opens (creating on first use) the store. Rejects where the browser keeps
  // no IndexedDB (some private modes): the page then says so and asks nothing.
  static async open() {
    if (!globalThis.indexedDB) throw new Error("this browser has no IndexedDB");
    const request = indexedDB.open(DATABASE, SCHEMA);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id",
                                                              autoIncrement: true });
      // Counting by label needs no sample read back: only their keys.
      store.createIndex("label", "label");
    };
    const database = await done(request);
    // Another tab upgrading the database (a newer page) closes this one cleanly.
    database.onversionchange = () => database.close();
    return new SampleStore(database);
  }

  async add(sample) {
    const transaction = this.database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).add(sample);
    await finished(transaction);
  }

  // Every sample, oldest first, without the store's own key.
  async all() {
    const transaction = this.database.transaction(STORE, "readonly");
    const samples = await done(transaction.objectStore(STORE).getAll());
    return samples.map(({ id, ...sample }) => sample);
  }

  // How many samples of each label 0..numClasses-1: [n0, n1, ...].
  async counts(numClasses) {
    const index = this.database.transaction(STORE, "readonly").objectStore(STORE).index("label");
    return Promise.all(Array.from({ length: numClasses },
                                  (_, label) => done(index.count(IDBKeyRange.only(label)))));
  }

  async clear() {
    const transaction = this.database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).clear();
    await finished(transaction);
  }
}

// The samples file's content: what `mnist-keras data import` reads.
export function samplesFile(samples, classNames) {
  return { format: SAMPLES_FILE.format, version: SAMPLES_FILE.version, name: SAMPLES_FILE.name,
           classes: classNames, samples };
}
