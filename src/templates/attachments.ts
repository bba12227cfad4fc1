/** Words for a template's attachment kind (image, video, document) in messages to users. */
/** "an image attachment", "a video attachment", … */
export function attachmentWords(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} attachment`;
}

/** Why a send of such a template needs a media URL (the field is `mediaUrl` everywhere). */
export function mediaUrlRequired(type: string): string {
  return `is required: the template has ${attachmentWords(type)}`;
}
