/** The page frame and the route switch. */
import { AdminBans } from "../components/AdminBans/AdminBans";
import { SiteBanNotice } from "../components/AdminBans/SiteBanNotice";
import { Announcer } from "../components/Announcer/Announcer";
import { ChannelPage } from "../components/ChannelPage/ChannelPage";
import { Dashboard } from "../components/Dashboard/Dashboard";
import { Header } from "../components/Header/Header";
import { HomePage } from "../components/HomePage/HomePage";
import { IconSprite } from "../components/IconSprite/IconSprite";
import { NotFound } from "../components/NotFound/NotFound";
import { TranscriptPage } from "../components/Transcript/TranscriptPage";
import { isSiteBansPath } from "../services/admin-bans";
import { useRoute } from "../store/route";

export function App() {
  const route = useRoute();
  // The admin page is not one of store/route.ts's routes (it parses as "missing"); that store
  // is replaced on every navigation, so the path read here is the current one.
  const siteBans = route.page === "missing" && isSiteBansPath(window.location.pathname);
  return (
    <div className="flex h-dvh flex-col">
      <a
        href="#main"
        className="-translate-y-20 absolute top-2 left-2 z-50 rounded-md bg-violet-600 px-3 py-2 text-sm text-white focus:translate-y-0"
      >
        Skip to content
      </a>
      <Header />
      <SiteBanNotice />
      <main id="main" className="min-h-0 flex-1">
        {route.page === "home" ? (
          <HomePage />
        ) : route.page === "channel" ? (
          <ChannelPage key={route.name} name={route.name} />
        ) : route.page === "dashboard" ? (
          <Dashboard key={route.name} name={route.name} />
        ) : route.page === "broadcast" ? (
          <TranscriptPage key={`${route.name}/${route.id}`} name={route.name} id={route.id} />
        ) : siteBans ? (
          <AdminBans />
        ) : (
          <NotFound />
        )}
      </main>
      <Announcer />
      <IconSprite />
    </div>
  );
}
