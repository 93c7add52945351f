import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authFetch } from '../api/client';
import { problemOf } from '../api/problem';
import type { Attachment } from '../api/types';
import { formatBytes } from '../lib/format';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/icons';

/*
 * Files are served only with the bearer token (members only), which an <img src> cannot send:
 * they are fetched with it and shown from blob: URLs.
 */

async function fetchBlob(url: string): Promise<Blob> {
  const response = await authFetch(new Request(new URL(url, location.origin)));
  if (!response.ok) throw await problemOf(response);
  return response.blob();
}

function useBlobUrl(url: string | null | undefined) {
  return useQuery({
    queryKey: ['blob', url],
    queryFn: async () => URL.createObjectURL(await fetchBlob(url!)),
    enabled: Boolean(url),
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
}

const isImage = (attachment: Attachment): boolean => attachment.contentType.startsWith('image/') && Boolean(attachment.thumbnailUrl);

export function Attachments({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <div className="attachments">
      {attachments.map((attachment) =>
        isImage(attachment) ? <ImagePreview key={attachment.id} attachment={attachment} /> : <FileLink key={attachment.id} attachment={attachment} />,
      )}
    </div>
  );
}

function ImagePreview({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { data: src } = useBlobUrl(attachment.thumbnailUrl);
  return (
    <>
      <button
        type="button"
        className="thumbnail"
        onClick={() => setOpen(true)}
        aria-label={t('conversation.openImage', { name: attachment.name })}
        data-testid="image-preview"
      >
        {src ? <img src={src} alt={t('conversation.image', { name: attachment.name })} /> : <span className="thumbnail-placeholder" />}
      </button>
      {open && <Lightbox attachment={attachment} onClose={() => setOpen(false)} />}
    </>
  );
}

function Lightbox({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t } = useTranslation();
  const { data: src } = useBlobUrl(attachment.url);
  return (
    <Dialog title={attachment.name} onClose={onClose} wide>
      <div className="lightbox" data-testid="lightbox">
        {src ? <img src={src} alt={t('conversation.image', { name: attachment.name })} /> : <p role="status">{t('app.loading')}</p>}
      </div>
    </Dialog>
  );
}

function FileLink({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const download = async () => {
    const href = URL.createObjectURL(await fetchBlob(attachment.url));
    const link = document.createElement('a');
    link.href = href;
    link.download = attachment.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  };
  return (
    <button type="button" className="file-link" onClick={() => void download()}>
      <Icon name="file" size={18} /> {t('conversation.download', { name: attachment.name, size: formatBytes(attachment.size) })}
    </button>
  );
}
