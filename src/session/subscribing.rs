//! Subscribing and unsubscribing on a `Session`: the SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK
//! exchanges, and the record of granted filters the driver renews after a reconnect without
//! session.

use super::*;

impl Session {
    /// Subscribe to `filters` in one SUBSCRIBE; returns the broker's answer per filter. What
    /// the broker granted is renewed by the session itself after a reconnect without session.
    pub async fn subscribe(
        &mut self,
        filters: &[String],
        opts: SubscribeOptions,
    ) -> Result<Vec<Granted>> {
        self.subscribe_v5(filters, opts, &SubscribeV5::default())
            .await
    }

    /// `subscribe` with MQTT 5 subscription options and properties (ignored on 3.1.1).
    pub async fn subscribe_v5(
        &mut self,
        filters: &[String],
        opts: SubscribeOptions,
        v5: &SubscribeV5,
    ) -> Result<Vec<Granted>> {
        let s = self.send_subscribe(filters, opts, v5).await?;
        let granted = self
            .await_reply(|n| match n {
                Note::SubAck(r) => Some(r),
                _ => None,
            })
            .await?;
        self.keep_granted(s, &granted);
        Ok(granted)
    }

    /// Send a SUBSCRIBE without waiting for its SUBACK, which comes as `Event::Subscribed`.
    /// Messages that arrive first (a resumed session's queue) are delivered meanwhile, so they
    /// can be written out and acknowledged: a broker may hold the SUBACK until they are.
    pub async fn request_subscribe(
        &mut self,
        filters: &[String],
        opts: SubscribeOptions,
        v5: &SubscribeV5,
    ) -> Result<()> {
        let s = self.send_subscribe(filters, opts, v5).await?;
        self.requested.push_back(s);
        Ok(())
    }

    async fn send_subscribe(
        &mut self,
        filters: &[String],
        opts: SubscribeOptions,
        v5: &SubscribeV5,
    ) -> Result<Subscription> {
        let s = Subscription {
            filters: filters.to_vec(),
            opts,
            v5: v5.clone(),
        };
        if self.debug {
            debug(&format!(
                "sending SUBSCRIBE ({}, QoS {}, retain handling {})",
                filters.join(", "),
                opts.qos,
                opts.retain_handling as u8
            ));
        }
        let sent = self.client.subscribe(&s).await;
        self.sent(sent)?;
        Ok(s)
    }

    /// Remember what the broker granted, to renew it after a reconnect without session.
    fn keep_granted(&mut self, mut s: Subscription, granted: &[Granted]) {
        s.filters = s
            .filters
            .iter()
            .zip(granted)
            .filter(|(_, g)| g.is_ok())
            .map(|(f, _)| f.clone())
            .collect();
        if !s.filters.is_empty() {
            let mut kept = self.shared.subscriptions.lock().expect("subs lock");
            kept.push(s);
        }
    }

    /// The SUBACK of a `request_subscribe`, as its event; None for any other SUBACK.
    pub(super) fn requested_suback(&mut self, granted: Vec<Granted>) -> Option<Event> {
        let s = self.requested.pop_front()?;
        self.keep_granted(s, &granted);
        Some(Event::Subscribed(granted))
    }

    /// Unsubscribe from `filters` and wait for each UNSUBACK.
    pub async fn unsubscribe(&mut self, filters: &[String]) -> Result<()> {
        self.unsubscribe_with(filters, &[]).await
    }

    /// `unsubscribe` with MQTT 5 user properties on each UNSUBSCRIBE (ignored on 3.1.1).
    pub async fn unsubscribe_with(
        &mut self,
        filters: &[String],
        user_properties: &[(String, String)],
    ) -> Result<()> {
        for f in filters {
            if self.debug {
                debug(&format!("sending UNSUBSCRIBE ({f})"));
            }
            let sent = self.client.unsubscribe(f, user_properties).await;
            self.sent(sent)?;
            self.await_reply(|n| matches!(n, Note::UnsubAck).then_some(()))
                .await?;
            for s in self
                .shared
                .subscriptions
                .lock()
                .expect("subs lock")
                .iter_mut()
            {
                s.filters.retain(|kept| kept != f);
            }
        }
        Ok(())
    }
}
