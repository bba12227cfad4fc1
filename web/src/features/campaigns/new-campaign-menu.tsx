import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';

/** "+ Campaign" opens the channel choice; WhatsApp is the channel wacast sends on. */
export function NewCampaignMenu() {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !ref.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="btn btn--primary" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen((value) => !value)}>
        + Campaign
      </button>
      {open ? (
        <ul className="menu__list" id={menuId}>
          <li>
            <Link className="menu__item" to="/campaigns/new/whatsapp" autoFocus onClick={() => setOpen(false)}>
              WhatsApp
            </Link>
          </li>
        </ul>
      ) : null}
    </div>
  );
}
