/**
 * Personal data as a faulty or hostile device (or a careless client) would send it, one set per test
 * case so that a leak is traced to the case that caused it: an image (JPEG header + base64, and the
 * raw bytes), a face embedding (512 floats), licence plates, a MAC address, an IMSI, a name, free
 * text. `needles` are what the search looks for wherever data can end up.
 */
export interface PersonalData {
  plate: string;
  plate2: string;
  mac: string;
  imsi: string;
  name: string;
  text: string;
  /** A JPEG (SOI, APP0 JFIF, a comment segment naming the case) as base64, as a data field would carry it. */
  imageBase64: string;
  /** The same JPEG's bytes, as a camera might publish them instead of JSON. */
  imageBytes: Buffer;
  /** 512 floats, as a face recogniser produces them. */
  embedding: number[];
  /** Every string the search must never find. */
  needles: string[];
}

const czechLetters = 'ABCEHJKLMPSTUZ';

/** Personal data for case `n` (0-99): every marker differs from every other case's. */
export function personalData(n: number): PersonalData {
  if (!Number.isInteger(n) || n < 0 || n > 99) throw new Error(`case number ${n} is out of 0-99`);
  const two = String(n).padStart(2, '0');
  const letter = (i: number) => czechLetters[(n + i) % czechLetters.length];
  // Czech plates as the brief has them for case 0: "1AB 2345" and "2AX 8191".
  const plate = n === 0 ? '1AB 2345' : `${(n % 9) + 1}${letter(0)}${letter(3)} ${two}45`;
  const plate2 = n === 0 ? '2AX 8191' : `${(n % 8) + 2}${letter(5)}${letter(7)} 81${two}`;
  const comment = Buffer.from(`privacy-case-${two} portrait of Jana Novakova`);
  const imageBytes = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    Buffer.from([0xff, 0xfe, 0x00, comment.length + 2]),
    comment,
    Buffer.from([0xff, 0xd9]),
  ]);
  const embedding = Array.from({ length: 512 }, (_, i) => Number(`0.${two}${String(i).padStart(3, '0')}731`));
  const data = {
    plate,
    plate2,
    mac: `3c:22:fb:7a:${two}:9e`,
    imsi: `2300312345${two}789`,
    name: `Jana Novakova-${two}`,
    text: `man in a red jacket walked past camera ${two} with his daughter`,
    imageBase64: imageBytes.toString('base64'),
    imageBytes,
    embedding,
  };
  return {
    ...data,
    needles: [
      data.plate,
      data.plate2,
      data.mac,
      data.imsi,
      data.name,
      data.text,
      // The comment segment in the image, and a run of the base64 past the fixed header.
      `privacy-case-${two}`,
      data.imageBase64.slice(24, 64),
      // Three of the embedding's values as JSON writes them.
      ...[7, 300, 511].map((i) => String(embedding[i])),
    ],
  };
}

/** Each marker string of a case, to fill string fields with (the image as base64, the embedding as text). */
export function markerStrings(p: PersonalData): string[] {
  return [p.plate, p.plate2, p.mac, p.imsi, p.name, p.text, p.imageBase64, JSON.stringify(p.embedding)];
}

/** Each marker as a JSON value of its natural type (the embedding as an array of numbers). */
export function markerValues(p: PersonalData): unknown[] {
  return [p.plate, p.plate2, p.mac, p.imsi, p.name, p.text, p.imageBase64, p.embedding];
}

/** Extra fields a hostile device would add to an object: every marker under a plausible name. */
export function extraFields(p: PersonalData): Record<string, unknown> {
  return {
    plate: p.plate,
    plates: [p.plate, p.plate2],
    mac: p.mac,
    imsi: p.imsi,
    personName: p.name,
    note: p.text,
    snapshot: `data:image/jpeg;base64,${p.imageBase64}`,
    faceEmbedding: p.embedding,
  };
}
