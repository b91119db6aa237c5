/** `@contactable/adapters-sims`: MIS export formats (CTF XML, SIMS CSV, OneRoster, address book) to one MisSnapshot, and a synthetic school generator. */
export * from './errors.js';
export * from './source.js';
export * from './decode.js';
export * from './csv.js';
export * from './dates.js';
export * from './builder.js';
export * from './ctf/names.js';
export * from './ctf/splitter.js';
export * from './ctf/parse.js';
export * from './ctf/write.js';
export * from './sims/columns.js';
export * from './sims/parse.js';
export * from './sims/write.js';
export * from './oneroster/parse.js';
export * from './addressBook.js';
export * from './generate/prng.js';
export * from './generate/school.js';
