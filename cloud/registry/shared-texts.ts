/**
 * One copy of each text many devices share (kind, gateway, district): a fleet file's parse and a
 * store's rows make one per device, some 90 bytes a device in a region of a million.
 */
export class SharedTexts {
  private readonly texts = new Map<string, string>();

  of<T extends string>(text: T): T {
    const held = this.texts.get(text);
    if (held !== undefined) return held as T;
    this.texts.set(text, text);
    return text;
  }
}
