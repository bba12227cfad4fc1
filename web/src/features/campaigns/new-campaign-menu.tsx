import { useMenu } from '../../components/use-menu';
import { Link } from 'react-router-dom';

/** "+ Campaign" opens the channel choice; WhatsApp is the channel wacast sends on. */
export function NewCampaignMenu() {
  const { open, setOpen, menuId, ref } = useMenu();
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
