// The widget's words, Bahasa Indonesia first (the business's visitors), English when the page or browser says so.
const id = {
  open: "Buka obrolan",
  close: "Tutup obrolan",
  title: "Obrolan",
  placeholder: "Tulis pesan…",
  send: "Kirim",
  name: "Nama",
  phone: "Nomor WhatsApp",
  email: "Email",
  start: "Mulai obrolan",
  reply: "Biasanya membalas",
  offline: "Kami sedang offline. Tinggalkan pesan, kami balas lewat email atau WhatsApp.",
  unread: "pesan belum dibaca",
  failed: "Gagal terkirim, dicoba lagi…",
  typing: "sedang mengetik…",
  messages: "Pesan",
  attach: "Lampirkan gambar atau PDF",
  whatsapp: "Lanjut di WhatsApp",
  upload_failed: "gagal diunggah (gambar/PDF, maks. 5 MB)",
};
export type Strings = typeof id;
const en: Strings = {
  open: "Open chat",
  close: "Close chat",
  title: "Chat",
  placeholder: "Write a message…",
  send: "Send",
  name: "Name",
  phone: "WhatsApp number",
  email: "Email",
  start: "Start chat",
  reply: "Usually replies",
  offline: "We are offline. Leave a message and we reply by email or WhatsApp.",
  unread: "unread messages",
  failed: "Not sent yet, retrying…",
  typing: "is typing…",
  messages: "Messages",
  attach: "Attach an image or PDF",
  whatsapp: "Continue on WhatsApp",
  upload_failed: "upload failed (image/PDF, max 5 MB)",
};

export function strings(lang: string | undefined): Strings {
  const l = (lang || document.documentElement.lang || navigator.language || "id").toLowerCase();
  return l.startsWith("en") ? en : id;
}
